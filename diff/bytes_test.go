package diff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"relman/model/metadata"
)

// Comparing bytes (NoHashes) gives every component the category and files
// comparing hashes gives, on random pairs of sides: components added,
// removed, changed anywhere in a file (also past the first 32 KiB chunk),
// grown, shrunk, with files added or renamed, or unsorted.
func TestCompareBytesAgreesWithHashes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for round := range 30 {
		var source, target []metadata.Item
		for i := range 60 {
			name := fmt.Sprintf("C%02d", i)
			body := strings.Repeat(fmt.Sprintf("line %d of %s\n", round, name), 1+rng.IntN(5000))
			src := item("ApexClass", name, "classes/"+name+".cls", body, "classes/"+name+".cls-meta.xml", "<ApexClass/>")
			tgt := item("ApexClass", name, "classes/"+name+".cls", body, "classes/"+name+".cls-meta.xml", "<ApexClass/>")
			switch rng.IntN(8) {
			case 0:
				tgt.Files[0] = memFile(tgt.Files[0].Path, body[:len(body)-1]+"X")
			case 1:
				at := rng.IntN(len(body))
				tgt.Files[0] = memFile(tgt.Files[0].Path, body[:at]+"Y"+body[at+1:])
			case 2:
				tgt.Files[0] = memFile(tgt.Files[0].Path, body+"more\n")
			case 3:
				tgt.Files = append(tgt.Files, memFile("classes/"+name+".extra", "x"))
			case 4:
				tgt.Files[1] = memFile("classes/Other.cls-meta.xml", "<ApexClass/>")
			case 5:
				slices.Reverse(tgt.Files)
			}
			if rng.IntN(10) > 0 {
				source = append(source, src)
			}
			if rng.IntN(10) > 0 {
				target = append(target, tgt)
			}
		}
		hashed, err := Compare(context.Background(), source, target, Options{})
		if err != nil {
			t.Fatal(err)
		}
		byBytes, err := Compare(context.Background(), source, target, Options{NoHashes: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(hashed.Entries) != len(byBytes.Entries) {
			t.Fatalf("round %d: %d entries vs %d", round, len(hashed.Entries), len(byBytes.Entries))
		}
		for i, h := range hashed.Entries {
			b := byBytes.Entries[i]
			if h.Component != b.Component || h.Category != b.Category || !slices.Equal(h.Files, b.Files) || b.SourceHash != "" || b.TargetHash != "" {
				t.Errorf("round %d: hashes say %+v\nbytes say %+v", round, h, b)
			}
		}
	}
}
