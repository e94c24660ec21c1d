// Package config loads settings: CRM_* environment variables over
// configs/config.yaml over built-in defaults.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting the process reads. The yaml tag is the key in
// config.yaml; the env tag the variable that overrides it.
type Config struct {
	HTTPAddr        string        `yaml:"http_addr" env:"CRM_HTTP_ADDR"`
	DataDir         string        `yaml:"data_dir" env:"CRM_DATA_DIR"`
	DatabaseURL     string        `yaml:"database_url" env:"CRM_DATABASE_URL"`
	RedisURL        string        `yaml:"redis_url" env:"CRM_REDIS_URL"`
	RedisPrefix     string        `yaml:"redis_prefix" env:"CRM_REDIS_PREFIX"`
	JWTSecret       string        `yaml:"jwt_secret" env:"CRM_JWT_SECRET"`
	AdminEmail      string        `yaml:"admin_email" env:"CRM_ADMIN_EMAIL"`
	AdminPassword   string        `yaml:"admin_password" env:"CRM_ADMIN_PASSWORD"`
	AccessTokenTTL  time.Duration `yaml:"access_token_ttl" env:"CRM_ACCESS_TOKEN_TTL"`
	RefreshTokenTTL time.Duration `yaml:"refresh_token_ttl" env:"CRM_REFRESH_TOKEN_TTL"`
	LoginMaxFails   int           `yaml:"login_max_failures" env:"CRM_LOGIN_MAX_FAILURES"`
	LoginLockout    time.Duration `yaml:"login_lockout" env:"CRM_LOGIN_LOCKOUT"`
	// SessionCacheTTL is how long a process trusts a session it found live
	// in Redis before asking again (revocations reach every process through
	// Redis pub/sub at once; this bounds a lost message); 0 asks Redis on
	// every request.
	SessionCacheTTL time.Duration `yaml:"session_cache_ttl" env:"CRM_SESSION_CACHE_TTL"`
	BcryptCost      int           `yaml:"bcrypt_cost" env:"CRM_BCRYPT_COST"`
	CORSOrigins     []string      `yaml:"cors_origins" env:"CRM_CORS_ORIGINS"`
	LogLevel        string        `yaml:"log_level" env:"CRM_LOG_LEVEL"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"CRM_SHUTDOWN_TIMEOUT"`
	DBMaxOpenConns  int           `yaml:"db_max_open_conns" env:"CRM_DB_MAX_OPEN_CONNS"`
	// Worker runs the queue worker inside `crm serve`; turn it off when
	// separate `crm worker` processes do the background work.
	Worker            bool          `yaml:"worker" env:"CRM_WORKER"`
	WorkerConcurrency int           `yaml:"worker_concurrency" env:"CRM_WORKER_CONCURRENCY"`
	QueuePollInterval time.Duration `yaml:"queue_poll_interval" env:"CRM_QUEUE_POLL_INTERVAL"`
	// ReminderSweepInterval is how often pending reminders are re-queued
	// (repairing jobs Redis lost); at most one minute.
	ReminderSweepInterval time.Duration `yaml:"reminder_sweep_interval" env:"CRM_REMINDER_SWEEP_INTERVAL"`
}

// Defaults are the built-in values.
func Defaults() Config {
	return Config{
		HTTPAddr:        ":8080",
		DataDir:         "./data",
		RedisPrefix:     "crm:",
		AccessTokenTTL:  15 * time.Minute,
		RefreshTokenTTL: 30 * 24 * time.Hour,
		LoginMaxFails:   5,
		LoginLockout:    15 * time.Minute,
		SessionCacheTTL: time.Second,
		BcryptCost:      12,
		LogLevel:        "info",
		ShutdownTimeout: 20 * time.Second,
		DBMaxOpenConns:  20,

		Worker:                true,
		WorkerConcurrency:     4,
		QueuePollInterval:     time.Second,
		ReminderSweepInterval: 30 * time.Second,
	}
}

// Load reads defaults, then the YAML file at path (CRM_CONFIG, else
// configs/config.yaml when it exists), then the environment.
func Load() (Config, error) { return load(os.LookupEnv) }

func load(lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	path, explicit := lookup("CRM_CONFIG")
	explicit = explicit && path != ""
	if !explicit {
		path = "configs/config.yaml"
	}
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := decodeYAML(raw, &c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	case explicit || !errors.Is(err, os.ErrNotExist):
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if err := applyEnv(&c, lookup); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// decodeYAML refuses unknown keys: a misspelt setting would otherwise be
// ignored in silence and the server would run on the default.
func decodeYAML(raw []byte, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Validate rejects settings the server cannot run with.
func (c Config) Validate() error {
	switch {
	case c.AccessTokenTTL <= 0 || c.RefreshTokenTTL <= c.AccessTokenTTL:
		return errors.New("config: refresh_token_ttl must exceed access_token_ttl > 0")
	case c.LoginMaxFails < 1:
		return errors.New("config: login_max_failures must be at least 1")
	case c.LoginLockout <= 0:
		return errors.New("config: login_lockout must be positive")
	case c.SessionCacheTTL < 0 || c.SessionCacheTTL > 10*time.Second:
		return errors.New("config: session_cache_ttl must be between 0 and 10s")
	case c.BcryptCost < 4 || c.BcryptCost > 31:
		return errors.New("config: bcrypt_cost must be between 4 and 31")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		return errors.New("config: CRM_JWT_SECRET must be at least 32 characters")
	case c.ShutdownTimeout <= 0:
		return errors.New("config: shutdown_timeout must be positive")
	case c.DBMaxOpenConns < 1:
		return errors.New("config: db_max_open_conns must be at least 1")
	case c.HTTPAddr == "":
		return errors.New("config: http_addr must not be empty")
	case c.WorkerConcurrency < 1:
		return errors.New("config: worker_concurrency must be at least 1")
	case c.QueuePollInterval < 100*time.Millisecond || c.QueuePollInterval > time.Minute:
		return errors.New("config: queue_poll_interval must be between 100ms and 1m")
	case c.ReminderSweepInterval <= 0 || c.ReminderSweepInterval > time.Minute:
		return errors.New("config: reminder_sweep_interval must be positive and at most 1m")
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log_level %q: use debug, info, warn or error", c.LogLevel)
	}
	return nil
}

// applyEnv overrides fields whose env variable is set, by field type.
func applyEnv(c *Config, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("env")
		s, ok := lookup(name)
		if !ok {
			continue
		}
		f := v.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString(s)
		case int:
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("config: %s: %w", name, err)
			}
			f.SetInt(int64(n))
		case bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("config: %s: %w", name, err)
			}
			f.SetBool(b)
		case time.Duration:
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("config: %s: %w", name, err)
			}
			f.SetInt(int64(d))
		case []string:
			var list []string
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p != "" {
					list = append(list, p)
				}
			}
			f.Set(reflect.ValueOf(list))
		}
	}
	return nil
}

// Embedded reports whether the server runs on the embedded defaults.
func (c Config) Embedded() (db, redis bool) { return c.DatabaseURL == "", c.RedisURL == "" }
