package xmlfeed

// SetMaxOrderRows lowers the rows of one order a build holds, for a test;
// the function returned restores it.
func SetMaxOrderRows(n int) func() {
	old := maxOrderRows
	maxOrderRows = n
	return func() { maxOrderRows = old }
}
