package restapi

import (
	"context"
	"net/http"
	"time"
)

// Close closes an open to-do with POST, the way MAN25 documents setting
// the close time: status is Closed or Failed (Closed when empty), closedAt
// the time it was done (now, on the server, when zero). Not retried after a
// 5xx or a lost connection: a second close is refused, so a lost answer is
// an *UnknownOutcomeError and Get tells whether it was closed.
//
// POST /Api/R3/ToDo/<Id> {"Status": "Closed", "ClosedAt": "…"} → {"Id": N}
func (s *ToDosService) Close(ctx context.Context, id int, status string, closedAt time.Time) (int, error) {
	if err := checkID("to-do Id", id); err != nil {
		return 0, err
	}
	if status == "" {
		status = "Closed"
	}
	f := Fields{"Status": status}
	if !closedAt.IsZero() {
		f["ClosedAt"] = FormatTime(closedAt)
	}
	return s.client.write(ctx, &apiRequest{method: http.MethodPost, path: "Api/R3/ToDo/" + itoa(id), pattern: "/Api/R3/ToDo/{id}", body: f})
}
