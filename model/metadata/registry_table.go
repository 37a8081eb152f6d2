package metadata

// typeTable is relman's registry: every type of the Salesforce CLI's
// registry (generatedTypes, see registry_gen.go) with relman's overlays
// applied. Children are filled in from the Parent fields at init; children
// of non-decomposed parents take their parent's Directory and Suffix because
// that is where they live.
var typeTable = withOverlays(generatedTypes, overlays)

// overlays are relman's corrections to the generated facts, by type name:
// layouts relman reads its own way. Name rules, references and
// normalisation are overlays of their own (validate.go, refs.go,
// diff/normalize.go).
var overlays = map[string]func(*Type){
	// The CLI reads an Experience Cloud site as mixed content; relman reads
	// it as a bundle folder beside its X.site-meta.xml, which gives the same
	// files.
	"ExperienceBundle": func(t *Type) { t.Suffix, t.Bundle, t.MixedContent = "site", true, false },
	// Types with an adapter of their own are read as one folder per
	// component inside their directory, compared byte for byte:
	// digitalExperiences/site/<Name>/... (named site/<Name>) and
	// uiBundles/<Name>/....
	"DigitalExperienceBundle": func(t *Type) { t.Bundle, t.StrictDirectory = true, true },
	"UIBundle":                func(t *Type) { t.Bundle = true },
	// A DigitalExperience (one view of the site) lives in its bundle's
	// folder; relman keeps its files with the bundle.
	"DigitalExperience": func(t *Type) { t.PartOfParent = true },
}

// withOverlays copies types and applies the overlays named in them.
func withOverlays(types []Type, fix map[string]func(*Type)) []Type {
	out := make([]Type, len(types))
	copy(out, types)
	for i := range out {
		if f, ok := fix[out[i].Name]; ok {
			f(&out[i])
		}
	}
	return out
}
