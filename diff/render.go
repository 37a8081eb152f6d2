package diff

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// WriteUnified writes d as a colourless unified diff in git's form:
//
//	--- a/classes/Foo.cls
//	+++ b/classes/Foo.cls
//	@@ -3,7 +3,8 @@
//
// oldLabel and newLabel name the sides the way git's "a" and "b" do (an
// environment name works too): a file is written as label/path, or as
// /dev/null on a side where it does not exist. A binary file gets git's
// "Binary files … differ" line; a diff with no hunks writes nothing.
func WriteUnified(w io.Writer, d FileDiff, oldLabel, newLabel string) error {
	if len(d.Hunks) == 0 && !d.Binary {
		return nil
	}
	oldName, newName := oldLabel+"/"+d.Path, newLabel+"/"+d.Path
	if d.NewFile {
		oldName = "/dev/null"
	}
	if d.DeletedFile {
		newName = "/dev/null"
	}
	bw := bufio.NewWriter(w)
	if d.Binary {
		fmt.Fprintf(bw, "Binary files %s and %s differ\n", oldName, newName)
		return bw.Flush()
	}
	fmt.Fprintf(bw, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range d.Hunks {
		fmt.Fprintf(bw, "@@ -%s +%s @@\n", hunkRange(h.OldStart, h.OldLines), hunkRange(h.NewStart, h.NewLines))
		for _, l := range h.Lines {
			bw.WriteByte(" +-"[l.Kind])
			bw.WriteString(l.Text)
			bw.WriteByte('\n')
			if l.NoNewline {
				bw.WriteString("\\ No newline at end of file\n")
			}
		}
	}
	return bw.Flush()
}

// hunkRange writes start,count, leaving out a count of 1 as git does.
func hunkRange(start, count int) string {
	if count == 1 {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(count)
}
