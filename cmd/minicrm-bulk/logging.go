package main

import (
	"io"
	"log/slog"
	"strings"
)

// logLevelEnv overrides the level of every command's log (debug, info,
// warn, error): MINICRM_BULK_LOG_LEVEL=debug shows each request and retry.
const logLevelEnv = "MINICRM_BULK_LOG_LEVEL"

// logLevel is the level MINICRM_BULK_LOG_LEVEL asks for, or def.
func logLevel(e *env, def slog.Level) slog.Level {
	if s := strings.TrimSpace(e.getenv(logLevelEnv)); s != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err == nil {
			return l
		}
	}
	return def
}

// newLogger is the log of a command on w: text (key=value) or json lines,
// at level def unless MINICRM_BULK_LOG_LEVEL says otherwise; the env's log
// when it has one.
func newLogger(e *env, w io.Writer, format string, def slog.Level) *slog.Logger {
	if e.log != nil {
		return e.log
	}
	return newLoggerAt(w, format, logLevel(e, def))
}

func newLoggerAt(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
