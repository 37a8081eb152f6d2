// Package filter is the fuzzy filter shared by the change request list and
// the editor's component picker: Find matches (sahilm/fuzzy) on every core,
// off the UI goroutine, stops when cancelled and narrows from the previous
// answer; Cell renders a fitted table cell with the matched characters
// highlighted. It lives under ui/changes because those two screens are its
// only users; it may import only the Charm libraries and sahilm/fuzzy.
package filter
