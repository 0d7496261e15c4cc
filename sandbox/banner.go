package sandbox

import (
	"fmt"
	"io"
	"time"
)

// WriteBanner tells the person who started a sandbox at url where it is
// and how to reach it. keyFrom says where the API key came from (a flag or
// variable name, shown instead of the key); "" means the key was generated
// and is shown, since nobody else knows it.
func WriteBanner(w io.Writer, c Config, url, keyFrom string) {
	fmt.Fprintf(w, "MiniCRM sandbox listening\n  URL:      %s\n  SystemId: %d\n", url, c.SystemID)
	if keyFrom == "" {
		fmt.Fprintf(w, "  ApiKey:   %s (generated)\n", c.APIKey)
	} else {
		fmt.Fprintf(w, "  ApiKey:   (as given by %s)\n", keyFrom)
	}
	limit := fmt.Sprintf("%d requests/minute", c.RPM)
	if c.RPM == 0 {
		limit = "off"
	}
	fmt.Fprintf(w, "  Rate limit: %s\n", limit)
	if c.StatePath != "" {
		fmt.Fprintf(w, "  State:    %s\n", c.StatePath)
	}
	var hooks []WebhookConfig
	if c.Dataset != nil {
		hooks = c.Dataset.Webhooks
	}
	for _, wc := range append(c.Webhooks, hooks...) {
		fmt.Fprintf(w, "  Webhook:  %s\n", DescribeWebhook(wc))
	}
	fmt.Fprintf(w, "\nTry:\n  curl --user %d:$ApiKey \"%s/Api/R3/Category\"\nCtrl-C stops it.\n", c.SystemID, url)
}

// StoppedLine is the line a sandbox that ran for d prints when it stops.
func (st Stats) StoppedLine(d time.Duration) string {
	return fmt.Sprintf("sandbox stopped after %s: %d requests, %d answered 429\n", d.Round(time.Second), st.Total, st.RateLimited+st.Storm429)
}

// ChooseDataset is the data file at path, or else the built-in example
// system, with its example records unless empty.
func ChooseDataset(path string, empty bool) (*Dataset, error) {
	switch {
	case path != "":
		return LoadDataset(path)
	case empty:
		return EmptyDataset(), nil
	}
	return DemoDataset(), nil
}
