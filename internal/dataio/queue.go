package dataio

import (
	"context"
	"log/slog"
	"sync"
)

// Queue hands import jobs to workers. Pool is the in-process queue; issue
// 4 replaces it with a Redis-backed one behind the same interface, which is
// why a job travels as its id only: the worker reloads everything else
// (file, options, actor) from the database.
type Queue interface {
	Enqueue(ctx context.Context, jobID string) error
}

// Runner runs one job to its end; it must tolerate being handed a job
// that another worker already took (Service.Run claims it atomically).
type Runner func(ctx context.Context, jobID string)

// Pool runs at most n jobs at a time in goroutines of this process. Jobs
// still queued when the process stops stay queued in the database
// (single-node limit of this queue; see the package README in issue 4).
type Pool struct {
	sem chan struct{}
	run Runner
	log *slog.Logger
	wg  sync.WaitGroup
}

// NewPool builds a pool of n workers running jobs with run.
func NewPool(n int, run Runner, log *slog.Logger) *Pool {
	return &Pool{sem: make(chan struct{}, n), run: run, log: log}
}

// Enqueue schedules the job; it returns at once.
func (p *Pool) Enqueue(_ context.Context, jobID string) error {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.sem <- struct{}{}
		defer func() { <-p.sem }()
		defer func() {
			if r := recover(); r != nil {
				p.log.Error("import job panicked", "job", jobID, "panic", r)
			}
		}()
		p.run(context.Background(), jobID)
	}()
	return nil
}

// Wait blocks until every enqueued job has finished.
func (p *Pool) Wait() { p.wg.Wait() }
