package main

import (
	"strings"
	"sync"

	"github.com/minicrm-bulk/minicrm-bulk/restapi"
)

// budgets hands out one restapi.Budget per MiniCRM system (address +
// SystemId) for the whole invocation, so that the steps of a job, or the
// demo's commands, draw on one allowance: MiniCRM counts a system's
// requests, not a client's.
type budgets struct {
	mu sync.Mutex
	m  map[string]*restapi.Budget
}

// forSystem returns the system's budget, made at rpm requests a minute by
// the first caller. Later callers asking for another rate get the first
// one's budget: the limit belongs to the system.
func (b *budgets) forSystem(url, systemID string, rpm int) (*restapi.Budget, error) {
	key := strings.ToLower(strings.TrimRight(url, "/")) + "|" + systemID
	b.mu.Lock()
	defer b.mu.Unlock()
	if got, ok := b.m[key]; ok {
		return got, nil
	}
	lim := restapi.DefaultLimits()
	lim.Requests = rpm
	nb, err := restapi.NewBudget(lim)
	if err != nil {
		return nil, err
	}
	if b.m == nil {
		b.m = map[string]*restapi.Budget{}
	}
	b.m[key] = nb
	return nb, nil
}
