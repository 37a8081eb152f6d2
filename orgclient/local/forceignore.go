package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// forceIgnore holds the rules of a project's .forceignore, the file with
// which the Salesforce CLI leaves paths out of deploys and retrieves. Its
// syntax is gitignore's; paths are relative to the project directory.
// relman honours it so that a directory org holds exactly what the CLI
// would deploy from it.
type forceIgnore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	segs    []string // pattern segments; "**" matches any number of segments
	negate  bool     // "!pattern" re-includes what an earlier rule excluded
	dirOnly bool     // "pattern/" matches folders only
}

// loadForceIgnore reads dir/.forceignore; it returns nil when there is none.
func loadForceIgnore(dir string) (*forceIgnore, error) {
	file := filepath.Join(dir, ".forceignore")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	fi, err := parseForceIgnore(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return fi, nil
}

func parseForceIgnore(text string) (*forceIgnore, error) {
	fi := &forceIgnore{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r ignoreRule
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimRight(line, "/")
		}
		// A pattern without a slash matches a name at any depth; one with a
		// slash is anchored to the project directory.
		if strings.Contains(line, "/") {
			line = strings.TrimPrefix(line, "/")
		} else {
			line = "**/" + line
		}
		if line == "" || line == "**/" {
			continue
		}
		for _, s := range strings.Split(line, "/") {
			s = strings.ReplaceAll(s, "[!", "[^") // gitignore negates a class with "!", path.Match with "^"
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("line %d: %q is not a valid pattern: %v", n+1, s, err)
			}
			r.segs = append(r.segs, s)
		}
		fi.rules = append(fi.rules, r)
	}
	return fi, nil
}

// match reports whether the slash path p (relative to the project
// directory) is ignored. The last matching rule decides, as in git. Callers
// check folders before entering them, so an ignored folder hides everything
// below it.
func (fi *forceIgnore) match(p string, isDir bool) bool {
	if fi == nil {
		return false
	}
	segs := strings.Split(p, "/")
	ignored := false
	for _, r := range fi.rules {
		if r.dirOnly && !isDir {
			continue
		}
		if matchSegments(r.segs, segs) {
			ignored = !r.negate
		}
	}
	return ignored
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			if len(rest) == 0 {
				return len(name) > 0 // "dir/**" is what is inside dir, not dir itself
			}
			for i := 0; i <= len(name); i++ {
				if matchSegments(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
