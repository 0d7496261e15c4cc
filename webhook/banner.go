package webhook

import (
	"fmt"
	"io"
	"net"
)

// WriteBanner tells the person who started a receiver on ln where it
// listens, where the changes go and the endpoint to give MiniCRM (without
// the password). rulesPath names the file cfg.Rules came from.
func WriteBanner(w io.Writer, cfg Config, ln net.Listener, tls bool, rulesPath string) {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	fmt.Fprintf(w, "MiniCRM webhook receiver listening\n  URL:        %s://%s/\n  Change log: %s\n", scheme, ln.Addr(), cfg.Dir)
	if cfg.CSV {
		fmt.Fprintf(w, "  CSV:        one file per kind of record, in the same directory\n")
	}
	if cfg.Rules != nil {
		fmt.Fprintf(w, "  Rules:      %s (%d)\n", rulesPath, cfg.Rules.Len())
	}
	fmt.Fprintf(w, "Give MiniCRM the endpoint %s://%s:<password>@<this host>/ (the password is not shown).\n", scheme, cfg.User)
}

// StoppedLine is the line a receiver prints when it stops.
func (st Stats) StoppedLine() string {
	return fmt.Sprintf("receiver stopped: %d changes recorded, %d retries already recorded, %d answered with a write-back, refused: %d unauthorized, %d malformed, %d too large, %d not written\n",
		st.Recorded, st.Duplicates, st.Answered, st.Unauthorized, st.Malformed, st.TooLarge, st.Failed)
}
