// SPDX-License-Identifier: MIT

// go_goroutines - the Go runtime on Atlas (CGO_ENABLED=0, static): 100
// goroutines send their squares through a channel while a sync.WaitGroup
// waits for them; a sync.Mutex guards a map they all write; the runtime
// starts its own threads (clone), parks them on futexes, preempts with
// tgkill(SIGURG), and reads its arena hints back from mmap. The boot test
// (tests/boot/test_lang.py) compares the output with the same binary run on
// the host.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
)

const workers = 100

func main() {
	results := make(chan int, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := make(map[int]bool)

	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			runtime.Gosched()
			mu.Lock()
			seen[n] = true
			mu.Unlock()
			results <- n * n
		}(i)
	}
	wg.Wait()
	close(results)

	var squares []int
	sum := 0
	for v := range results {
		squares = append(squares, v)
		sum += v
	}
	sort.Ints(squares)
	fmt.Printf("goroutines: %d, channel values: %d, distinct: %d\n", workers, len(squares), len(seen))
	fmt.Printf("sum of squares 0..%d: %d\n", workers-1, sum)
	fmt.Printf("first %v last %d\n", squares[:5], squares[len(squares)-1])
	if sum != 328350 || len(seen) != workers {
		os.Exit(1)
	}
}
