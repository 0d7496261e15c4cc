//go:build !unix

package xmlfeed_test

import "os"

// maxRSS is not known here: the benchmark says so.
func maxRSS(*os.ProcessState) int64 { return 0 }
