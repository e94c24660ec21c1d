package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Storage keeps attachment bytes under opaque keys. DiskStorage is the one
// in use; an S3-compatible store (MinIO, OSS, COS) fits the same three
// calls with the key as the object name, and would be chosen by config.
// Keys are made by NewKey, never from client input.
type Storage interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// ErrNoObject means the key holds nothing.
var ErrNoObject = errors.New("storage: no such object")

// NewKey makes a random key under prefix ("contracts/<id>"): the file name
// the client sent never reaches the file system.
func NewKey(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + "/" + hex.EncodeToString(b[:])
}

var keyRe = regexp.MustCompile(`^[a-z]+/[0-9a-f-]{36}/[0-9a-f]{32}$`)

// DiskStorage keeps files under a root directory (CRM_DATA_DIR/attachments).
type DiskStorage struct{ root string }

// NewDiskStorage stores under root, created on first write.
func NewDiskStorage(root string) *DiskStorage { return &DiskStorage{root: root} }

func (d *DiskStorage) path(key string) (string, error) {
	if !keyRe.MatchString(key) {
		return "", fmt.Errorf("storage: bad key %q", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// Put writes r to key through a temporary file renamed into place, so a
// reader never sees half a file.
func (d *DiskStorage) Put(_ context.Context, key string, r io.Reader) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return fmt.Errorf("storage: write: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// Open reads key.
func (d *DiskStorage) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoObject
	}
	return f, err
}

// Delete removes key; a missing one is not an error.
func (d *DiskStorage) Delete(_ context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}
