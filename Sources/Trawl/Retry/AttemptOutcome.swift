import Foundation

/// How one attempt (with its redirect hops) ended, before the retry decision.
enum AttemptOutcome: Sendable {
    /// The last hop's answer, not a redirect that was followed.
    case response(TransportResponse, finalURL: URL)
    /// A transport error or a refused redirect.
    case failure(RecordError, status: Int?, finalURL: URL?)
}

/// What to do after an attempt: the one place that decides what an outcome means.
enum Decision: Equatable {
    case success
    case retry(after: Duration, reason: ProgressEvent.WaitReason)
    case fail(RecordError)
}
