package diff

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// parallel runs fn for every i in [0, n) on up to workers goroutines; worker
// tells fn which goroutine it is on, so it can reuse buffers without locking,
// and ctx is done once any call failed, so long reads stop early. When the
// caller's ctx is done, parallel returns its error; otherwise, of the
// failures, the one with the lowest i, so a message does not depend on
// scheduling.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, worker, i int) error) error {
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		failedAt = n
		failure  error
		wg       sync.WaitGroup
	)
	for w := range min(workers, n) {
		wg.Go(func() {
			for inner.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(inner, w, i); err != nil {
					if errors.Is(err, context.Canceled) && inner.Err() != nil && ctx.Err() == nil {
						// Cancelled by a sibling's failure, not a failure of
						// its own: the sibling's error is the one to report.
						return
					}
					mu.Lock()
					if i < failedAt {
						failedAt, failure = i, err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return failure
}
