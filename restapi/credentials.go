package restapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/minicrm-bulk/minicrm-bulk/redact"
)

// Environment variables LoadCredentials reads.
const (
	EnvURL      = "MINICRM_URL"
	EnvSystemID = "MINICRM_SYSTEM_ID"
	EnvAPIKey   = "MINICRM_API_KEY"
)

// Credentials say which system to talk to and how to sign in. The key is
// never printed: String, GoString and LogValue redact it, and it has no
// JSON encoding.
type Credentials struct {
	// URL is the base URL; "" means DefaultBaseURL.
	URL      string
	SystemID string
	APIKey   string `json:"-"`
}

// String describes the credentials without the key.
func (c Credentials) String() string {
	key := "(none)"
	if c.APIKey != "" {
		key = "[redacted]"
	}
	url := c.URL
	if url == "" {
		url = DefaultBaseURL
	}
	return fmt.Sprintf("Credentials{URL: %s, SystemId: %s, APIKey: %s}", url, c.SystemID, key)
}

// GoString is String, so that %#v does not print the key either.
func (c Credentials) GoString() string { return c.String() }

// LogValue implements slog.LogValuer.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", redact.String(c.URL)), slog.String("system_id", c.SystemID), slog.Bool("api_key_set", c.APIKey != ""))
}

// CredentialSources are where LoadCredentials looks, most specific first.
type CredentialSources struct {
	// URL, SystemID and APIKeyFile come from command-line flags ("" when
	// not given). The key itself is never a flag: a command line shows in
	// ps and in shell history.
	URL        string
	SystemID   string
	APIKeyFile string
	// TestEnv makes the default URL MiniCRM's TEST environment.
	TestEnv bool
	// Getenv reads the environment; os.Getenv when nil.
	Getenv func(string) string
}

// LoadCredentials resolves the credentials:
//   - URL: the flag, else TestBaseURL with TestEnv, else MINICRM_URL, else
//     DefaultBaseURL (a flag and TestEnv together are an error);
//   - SystemId: the flag, else MINICRM_SYSTEM_ID;
//   - key: the key file when one is named (an explicit choice beats the
//     environment), else MINICRM_API_KEY.
//
// The key file must not be readable by group or others; see ReadAPIKeyFile.
func LoadCredentials(src CredentialSources) (Credentials, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var c Credentials
	switch {
	case src.URL != "" && src.TestEnv:
		return Credentials{}, errors.New("give either a URL or the TEST environment, not both")
	case src.URL != "":
		c.URL = src.URL
	case src.TestEnv:
		c.URL = TestBaseURL
	case getenv(EnvURL) != "":
		c.URL = strings.TrimSpace(getenv(EnvURL))
	default:
		c.URL = DefaultBaseURL
	}
	c.SystemID = strings.TrimSpace(src.SystemID)
	if c.SystemID == "" {
		c.SystemID = strings.TrimSpace(getenv(EnvSystemID))
	}
	if c.SystemID == "" {
		return Credentials{}, fmt.Errorf("no SystemId: set %s or pass --system-id (the number after r3.minicrm.hu/ in your MiniCRM address)", EnvSystemID)
	}
	if src.APIKeyFile != "" {
		key, err := ReadAPIKeyFile(src.APIKeyFile)
		if err != nil {
			return Credentials{}, err
		}
		c.APIKey = key
	} else {
		c.APIKey = strings.TrimSpace(getenv(EnvAPIKey))
	}
	if c.APIKey == "" {
		return Credentials{}, fmt.Errorf("no API key: set %s or pass --api-key-file (Settings > System > Generate API key in MiniCRM)", EnvAPIKey)
	}
	return c, nil
}

// ReadAPIKeyFile reads a key from a file holding only the key (surrounding
// white space is ignored). A file that group or others may read is refused,
// as ssh refuses such a private key: the key is a password.
func ReadAPIKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("API key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("API key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("API key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("API key file %s can be read by others (mode %04o); restrict it with: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("API key file %s: %w", path, err)
	}
	key := strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff"))
	if key == "" {
		return "", fmt.Errorf("API key file %s is empty", path)
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return "", fmt.Errorf("API key file %s must hold the key alone, on one line", path)
	}
	return key, nil
}
