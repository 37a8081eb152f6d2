package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// PutBlob stores data (a retrieved package, a snapshot) under its SHA-256
// in hex and returns that key. Storing the same bytes twice keeps one copy.
func (tx *Tx) PutBlob(data []byte) (string, error) {
	b, err := tx.bucket(bucketBlobs)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if b.Get([]byte(key)) != nil {
		return key, nil
	}
	// bbolt keeps the slice until commit; a copy protects the stored bytes
	// from a caller reusing its buffer.
	if err := b.Put([]byte(key), append([]byte{}, data...)); err != nil {
		return "", fmt.Errorf("blob %s (%d bytes): %w", key, len(data), err)
	}
	return key, nil
}

// Blob reads the bytes stored under key.
func (tx *Tx) Blob(key string) ([]byte, error) {
	b, err := tx.bucket(bucketBlobs)
	if err != nil {
		return nil, err
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, fmt.Errorf("blob %s: %w", key, ErrNotFound)
	}
	return bytes.Clone(v), nil
}
