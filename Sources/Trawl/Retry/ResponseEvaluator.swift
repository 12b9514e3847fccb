/// Judges a 2xx answer: accepted, worth another attempt, or a final failure. What aiohttp-retry calls
/// `evaluate_response_callback`.
///
/// Evaluators see the body only when the crawl keeps bodies (see ``Crawler/Configuration/Output``) or when
/// ``needsBody`` is `true`.
public protocol ResponseEvaluator: Sendable {
    /// Whether the evaluator reads the body.
    var needsBody: Bool { get }

    /// The verdict on `response`.
    func evaluate(_ response: TransportResponse) -> Evaluation
}

/// A ``ResponseEvaluator``'s verdict.
public enum Evaluation: Sendable, Equatable {
    /// The answer is what was wanted.
    case accept
    /// Try again after the usual backoff; if no attempt is accepted the URL fails with kind `validation`.
    case retry(String)
    /// Give up on the URL now with kind `validation`.
    case reject(String)
}
