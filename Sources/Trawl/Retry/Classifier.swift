import Foundation

/// Turns an attempt's outcome into a decision: success, retry after a wait, or final failure.
struct Classifier: Sendable {
    let retry: Crawler.Configuration.Retry

    /// - Parameters:
    ///   - attempt: the 1-based number of the attempt that produced `outcome`.
    ///   - now: wall-clock time, for `Retry-After` dates.
    func decide(_ outcome: AttemptOutcome, attempt: Int, now: Date) -> Decision {
        let canRetry = attempt < retry.maxAttempts
        /// Another attempt after the policy's backoff, or `error` when the attempts are spent.
        func backOff(else error: RecordError) -> Decision {
            canRetry ? .retry(after: retry.policy.delay(afterAttempt: attempt), reason: .backoff) : .fail(error)
        }
        switch outcome {
        case .failure(let error, _, _):
            return error.kind.isRetryable ? backOff(else: error) : .fail(error)
        case .response(let response, _):
            let status = response.status
            if (200..<300).contains(status) {
                switch retry.evaluate?.evaluate(response) ?? .accept {
                case .accept: return .success
                case .reject(let message): return .fail(RecordError(.validation, message))
                case .retry(let message): return backOff(else: RecordError(.validation, message))
                }
            }
            let statusError = RecordError(.status, Self.describe(status: status, attempts: attempt))
            guard retry.retryOnStatuses.contains(status) else { return .fail(statusError) }
            if let wait = Self.retryAfter(response, now: now) {
                if wait > retry.maxRetryAfter {
                    return .fail(
                        RecordError(
                            .retryAfterTooLong,
                            "HTTP \(status) asked to wait \(Self.describe(wait)), longer than the \(Self.describe(retry.maxRetryAfter)) allowed"
                        ))
                }
                guard canRetry else { return .fail(statusError) }
                return .retry(after: wait, reason: .retryAfter)
            }
            return backOff(else: statusError)
        }
    }

    /// The wait a 429 or 503 asks for, or `nil` when there is no usable `Retry-After`. Several `Retry-After`
    /// fields are not usable: which one the server meant is anyone's guess (URLSession joins them with ", ",
    /// which parses as neither form, so both transports agree).
    static func retryAfter(_ response: TransportResponse, now: Date) -> Duration? {
        guard response.status == 429 || response.status == 503 else { return nil }
        let values = response.headers.values("retry-after")
        guard values.count == 1, let retryAfter = RetryAfter(headerValue: values[0]) else { return nil }
        return retryAfter.delay(now: now)
    }

    static func describe(status: Int, attempts: Int) -> String {
        attempts > 1 ? "HTTP \(status) after \(attempts) attempts" : "HTTP \(status)"
    }

    /// `duration` in seconds; from a billion seconds (about 31.7 years) on, "more than 30 years": a
    /// `Retry-After` beyond Int64 nanoseconds saturates, and its exact figure would be one the server never sent.
    static func describe(_ duration: Duration) -> String {
        let seconds = duration.seconds
        if seconds >= 1e9 { return "more than 30 years" }
        return seconds == seconds.rounded() ? "\(Int64(seconds)) s" : String(format: "%.3f s", seconds)
    }
}
