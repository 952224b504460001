// SPDX-License-Identifier: MIT
//
// cxx_threads - the C++ runtime on Atlas (g++ -static, glibc and libstdc++):
// iostream's static initialisation (pthread_once on a futex), a std::vector,
// an exception thrown and caught (the unwinder reads .eh_frame), four
// std::threads adding to one counter under a std::mutex, a
// std::condition_variable hand-over, and thread_local. The boot test
// (tests/boot/test_lang.py) compares its output with the same binary run on
// the host.
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 100000;

thread_local int tls_calls = 0;

int checked_div(int a, int b)
{
	if (b == 0)
		throw std::invalid_argument("division by zero");
	return a / b;
}

} // namespace

int main()
{
	std::vector<int> squares;
	for (int i = 1; i <= 10; i++)
		squares.push_back(i * i);
	std::cout << "vector: " << squares.size() << " squares, sum "
		  << std::accumulate(squares.begin(), squares.end(), 0) << std::endl;

	try {
		std::cout << "10 / 2 = " << checked_div(10, 2) << std::endl;
		std::cout << checked_div(1, 0) << std::endl;
	} catch (const std::invalid_argument &e) {
		std::cout << "caught: " << e.what() << std::endl;
	}

	std::mutex lock;
	long counter = 0;
	std::vector<int> calls(kThreads);
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			for (int k = 0; k < kRounds; k++) {
				std::lock_guard<std::mutex> guard(lock);
				counter++;
				tls_calls++;
			}
			calls[t] = tls_calls;
		});
	}
	for (auto &th : threads)
		th.join();
	std::cout << "threads: " << kThreads << " x " << kRounds << " = " << counter << std::endl;
	for (int t = 0; t < kThreads; t++)
		std::cout << "thread " << t << " thread_local count " << calls[t] << std::endl;
	std::cout << "main thread_local count " << tls_calls << std::endl;

	std::condition_variable cv;
	std::string handed;
	std::thread giver([&] {
		std::lock_guard<std::mutex> guard(lock);
		handed = "hello from a thread";
		cv.notify_one();
	});
	{
		std::unique_lock<std::mutex> held(lock);
		cv.wait(held, [&] { return !handed.empty(); });
	}
	giver.join();
	std::cout << "condition variable: " << handed << std::endl;
	return counter == long(kThreads) * kRounds ? 0 : 1;
}
