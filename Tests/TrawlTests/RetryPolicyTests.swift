import Testing

@testable import Trawl

@Suite struct RetryPolicyTests {
    @Test func exponentialCeilingDoublesUpToTheCap() {
        let policy = ExponentialBackoff(base: .milliseconds(500), maximum: .seconds(30))
        #expect(policy.ceiling(afterAttempt: 1) == .milliseconds(500))
        #expect(policy.ceiling(afterAttempt: 2) == .seconds(1))
        #expect(policy.ceiling(afterAttempt: 3) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: 7) == .seconds(30))
        #expect(policy.ceiling(afterAttempt: 500) == .seconds(30))
    }

    @Test func equalJitterStaysWithinHalfToFullCeilingAndUsesTheWholeRange() {
        let policy = ExponentialBackoff(base: .seconds(1), maximum: .seconds(30))
        var low = Duration.seconds(100)
        var high = Duration.zero
        for _ in 0..<2000 {
            let delay = policy.delay(afterAttempt: 3)
            #expect(delay >= .seconds(2) && delay <= .seconds(4))
            low = min(low, delay)
            high = max(high, delay)
        }
        #expect(low < .milliseconds(2200))
        #expect(high > .milliseconds(3800))
    }

    @Test func hugeExponentialWaitsSaturateInsteadOfTrapping() {
        let forever = ExponentialBackoff(base: .seconds(Int64.max), maximum: .seconds(Int64.max))
        #expect(forever.ceiling(afterAttempt: 3) == .nanoseconds(Int64.max))
        #expect(forever.delay(afterAttempt: 3) >= .nanoseconds(Int64.max / 2))
        #expect(ExponentialBackoff(base: .seconds(-1)).ceiling(afterAttempt: 1) == .zero)
    }

    @Test(.timeLimit(.minutes(1)))
    func aSleepOfCenturiesOnTheRealClockWaitsRatherThanTrapping() async {
        // ConstantBackoff(.seconds(Int64.max)) on the real clock: the sleep must start, and end when cancelled.
        let ended = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    try await CrawlClock.continuous.sleep(for: .seconds(Int64.max))
                    return "woke"
                } catch {
                    return "cancelled"
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(20))
                return "timer"
            }
            let first = await group.next()
            group.cancelAll()
            return [first, await group.next()].compactMap { $0 }
        }
        #expect(ended == ["timer", "cancelled"])
    }

    @Test func constantAndRandomPoliciesKeepTheirBounds() {
        #expect(ConstantBackoff(.seconds(2)).delay(afterAttempt: 9) == .seconds(2))
        let random = RandomBackoff(minimum: .milliseconds(100), maximum: .milliseconds(200))
        for attempt in 1...100 {
            let delay = random.delay(afterAttempt: attempt)
            #expect(delay >= .milliseconds(100) && delay <= .milliseconds(200))
        }
    }
}
