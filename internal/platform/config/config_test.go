package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// envMap is a fake environment: only these variables are set.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeYAML(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// chdir moves to an empty directory so configs/config.yaml of the
// repository is not picked up.
func chdir(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
}

func TestDefaults(t *testing.T) {
	chdir(t)
	c, err := load(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Defaults()) {
		t.Fatalf("load with nothing set = %+v, want the defaults %+v", c, Defaults())
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.RedisURL != "" {
		t.Fatalf("defaults differ from API.md: %+v", c)
	}
	if db, redis := c.Embedded(); !db || !redis {
		t.Fatal("defaults are not the embedded mode")
	}
}

func TestYAMLOverridesDefaultsAndEnvOverridesYAML(t *testing.T) {
	chdir(t)
	path := writeYAML(t, `
http_addr: ":9090"
data_dir: /var/lib/crm
access_token_ttl: 5m
login_max_failures: 9
cors_origins: ["https://a.example.com", "https://b.example.com"]
log_level: debug
`)
	c, err := load(envMap(map[string]string{"CRM_CONFIG": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":9090" || c.DataDir != "/var/lib/crm" || c.AccessTokenTTL != 5*time.Minute ||
		c.LoginMaxFails != 9 || c.LogLevel != "debug" ||
		!reflect.DeepEqual(c.CORSOrigins, []string{"https://a.example.com", "https://b.example.com"}) {
		t.Fatalf("YAML not applied: %+v", c)
	}
	if c.RefreshTokenTTL != Defaults().RefreshTokenTTL || c.BcryptCost != 12 {
		t.Fatalf("keys absent from YAML lost their defaults: %+v", c)
	}

	c, err = load(envMap(map[string]string{
		"CRM_CONFIG":             path,
		"CRM_HTTP_ADDR":          "127.0.0.1:7000",
		"CRM_ACCESS_TOKEN_TTL":   "90s",
		"CRM_LOGIN_MAX_FAILURES": "3",
		"CRM_CORS_ORIGINS":       " https://x.example.com , ,http://localhost:5173 ",
		"CRM_DATABASE_URL":       "postgres://crm@db/crm",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:7000" || c.AccessTokenTTL != 90*time.Second || c.LoginMaxFails != 3 ||
		c.DatabaseURL != "postgres://crm@db/crm" {
		t.Fatalf("env did not override YAML: %+v", c)
	}
	if !reflect.DeepEqual(c.CORSOrigins, []string{"https://x.example.com", "http://localhost:5173"}) {
		t.Fatalf("CRM_CORS_ORIGINS = %q", c.CORSOrigins)
	}
	if c.DataDir != "/var/lib/crm" || c.LogLevel != "debug" {
		t.Fatalf("YAML values without env override were lost: %+v", c)
	}
	if db, _ := c.Embedded(); db {
		t.Fatal("a database URL still counts as embedded")
	}
}

// Through the real Load, with the process environment.
func TestLoadReadsProcessEnvironment(t *testing.T) {
	chdir(t)
	path := writeYAML(t, "http_addr: \":9191\"\n")
	t.Setenv("CRM_CONFIG", path)
	t.Setenv("CRM_BCRYPT_COST", "10")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":9191" || c.BcryptCost != 10 {
		t.Fatalf("Load = %+v", c)
	}
}

func TestDefaultFileIsOptionalButReadWhenPresent(t *testing.T) {
	chdir(t)
	if err := os.MkdirAll("configs", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("configs/config.yaml", []byte("redis_prefix: \"other:\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisPrefix != "other:" {
		t.Fatalf("configs/config.yaml not read: prefix %q", c.RedisPrefix)
	}
}

// The repository's own configs/config.yaml must load and equal the defaults
// it claims to write out.
func TestShippedConfigIsTheDefaults(t *testing.T) {
	path, err := filepath.Abs("../../../configs/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no shipped config: %v", err)
	}
	c, err := load(envMap(map[string]string{"CRM_CONFIG": path}))
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	if len(c.CORSOrigins) == 0 {
		c.CORSOrigins = nil
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("configs/config.yaml = %+v\nwant the defaults %+v", c, want)
	}
}

func TestErrors(t *testing.T) {
	chdir(t)
	cases := []struct {
		name string
		yaml string
		env  map[string]string
		want string
	}{
		{"bad env duration", "", map[string]string{"CRM_ACCESS_TOKEN_TTL": "15 minutes"}, "CRM_ACCESS_TOKEN_TTL"},
		{"bad env int", "", map[string]string{"CRM_BCRYPT_COST": "twelve"}, "CRM_BCRYPT_COST"},
		{"bad yaml duration", "login_lockout: soon\n", nil, "config"},
		{"bad yaml int", "bcrypt_cost: high\n", nil, "config"},
		{"bare yaml number as duration", "login_lockout: 900\n", nil, "config"},
		{"unknown yaml key", "http_adr: \":1\"\n", nil, "http_adr"},
		{"malformed yaml", "http_addr: [\n", nil, "config"},
		{"short jwt secret", "", map[string]string{"CRM_JWT_SECRET": "too-short"}, "CRM_JWT_SECRET"},
		{"refresh not longer than access", "", map[string]string{"CRM_REFRESH_TOKEN_TTL": "10m"}, "refresh_token_ttl"},
		{"bcrypt cost out of range", "", map[string]string{"CRM_BCRYPT_COST": "40"}, "bcrypt_cost"},
		{"zero login failures", "", map[string]string{"CRM_LOGIN_MAX_FAILURES": "0"}, "login_max_failures"},
		{"unknown log level", "", map[string]string{"CRM_LOG_LEVEL": "verbose"}, "log_level"},
		{"zero shutdown timeout", "", map[string]string{"CRM_SHUTDOWN_TIMEOUT": "0s"}, "shutdown_timeout"},
		{"zero pool", "", map[string]string{"CRM_DB_MAX_OPEN_CONNS": "0"}, "db_max_open_conns"},
		{"bad env bool", "", map[string]string{"CRM_WORKER": "maybe"}, "CRM_WORKER"},
		{"zero worker concurrency", "", map[string]string{"CRM_WORKER_CONCURRENCY": "0"}, "worker_concurrency"},
		{"poll too fast", "", map[string]string{"CRM_QUEUE_POLL_INTERVAL": "1ms"}, "queue_poll_interval"},
		{"reminder sweep too slow", "", map[string]string{"CRM_REMINDER_SWEEP_INTERVAL": "5m"}, "reminder_sweep_interval"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.yaml != "" {
				env["CRM_CONFIG"] = writeYAML(t, tc.yaml)
			}
			_, err := load(envMap(env))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	t.Run("missing explicit file", func(t *testing.T) {
		_, err := load(envMap(map[string]string{"CRM_CONFIG": filepath.Join(t.TempDir(), "nope.yaml")}))
		if err == nil {
			t.Fatal("a CRM_CONFIG naming a missing file was accepted")
		}
	})
}

func TestWorkerCanBeTurnedOff(t *testing.T) {
	chdir(t)
	c, err := load(envMap(map[string]string{"CRM_WORKER": "false"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Worker || !Defaults().Worker {
		t.Fatalf("worker = %v (default %v)", c.Worker, Defaults().Worker)
	}
}

func TestJWTSecretLength(t *testing.T) {
	c := Defaults()
	c.JWTSecret = strings.Repeat("x", 31)
	if c.Validate() == nil {
		t.Fatal("31-character secret accepted")
	}
	c.JWTSecret = strings.Repeat("x", 32)
	if err := c.Validate(); err != nil {
		t.Fatalf("32-character secret refused: %v", err)
	}
	c.JWTSecret = ""
	if err := c.Validate(); err != nil {
		t.Fatalf("empty secret (generated in the data dir) refused: %v", err)
	}
}

func TestEmptyEnvListClearsOrigins(t *testing.T) {
	chdir(t)
	path := writeYAML(t, "cors_origins: [\"https://a.example.com\"]\n")
	c, err := load(envMap(map[string]string{"CRM_CONFIG": path, "CRM_CORS_ORIGINS": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.CORSOrigins) != 0 {
		t.Fatalf("CRM_CORS_ORIGINS= left %q", c.CORSOrigins)
	}
}
