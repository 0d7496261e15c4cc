//go:build unix && !linux

package xmlfeed

// hugePages is Linux's advice (slots_linux.go); other systems decide alone.
func hugePages([]byte) {}
