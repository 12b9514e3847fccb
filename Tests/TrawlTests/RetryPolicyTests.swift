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

    @Test func constantAndRandomPoliciesKeepTheirBounds() {
        #expect(ConstantBackoff(.seconds(2)).delay(afterAttempt: 9) == .seconds(2))
        let random = RandomBackoff(minimum: .milliseconds(100), maximum: .milliseconds(200))
        for attempt in 1...100 {
            let delay = random.delay(afterAttempt: attempt)
            #expect(delay >= .milliseconds(100) && delay <= .milliseconds(200))
        }
    }
}
