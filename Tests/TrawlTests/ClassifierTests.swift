import Foundation
import Testing

@testable import Trawl

@Suite struct ClassifierTests {
    private let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
    private var classifier: Classifier {
        var retry = Crawler.Configuration.Retry()
        retry.policy = ConstantBackoff(.milliseconds(123))
        return Classifier(retry: retry)
    }

    private func answer(_ status: Int, retryAfter: String? = nil) -> AttemptOutcome {
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        return .response(TransportResponse(status: status, headers: headers), finalURL: URL(string: "http://a/")!)
    }

    @Test func successIsFinal() {
        #expect(classifier.decide(answer(204), attempt: 1, now: now) == .success)
    }

    @Test(arguments: [
        "7", "Sun, 06 Nov 1994 08:49:44 GMT", "Sunday, 06-Nov-94 08:49:44 GMT", "Sun Nov  6 08:49:44 1994",
    ])
    func retryAfterInEveryFormIsWaitedInFull(_ value: String) {
        for status in [429, 503] {
            guard
                case .retry(let wait, let reason) = classifier.decide(
                    answer(status, retryAfter: value), attempt: 1, now: now)
            else {
                Issue.record("not retried")
                continue
            }
            #expect(wait == .seconds(7))
            #expect(reason == .retryAfter)
        }
    }

    @Test func aPastDateMeansNowAndGarbageMeansTheBackoff() {
        guard
            case .retry(let past, _) = classifier.decide(
                answer(429, retryAfter: "Sun, 06 Nov 1994 07:00:00 GMT"), attempt: 1, now: now)
        else { return #expect(Bool(false)) }
        #expect(past == .zero)
        guard
            case .retry(let garbage, let reason) = classifier.decide(
                answer(429, retryAfter: "later"), attempt: 1, now: now)
        else { return #expect(Bool(false)) }
        #expect(garbage == .milliseconds(123) && reason == .backoff)
    }

    @Test func retryAfterOnOtherStatusesIsIgnored() {
        guard
            case .retry(let wait, let reason) = classifier.decide(
                answer(500, retryAfter: "60"), attempt: 1, now: now)
        else { return #expect(Bool(false)) }
        #expect(wait == .milliseconds(123) && reason == .backoff)
    }

    @Test func aRetryAfterAboveTheCapEndsTheURLEvenOnTheLastAttempt() {
        for attempt in [1, 4] {
            guard case .fail(let error) = classifier.decide(answer(429, retryAfter: "121"), attempt: attempt, now: now)
            else { return #expect(Bool(false)) }
            #expect(error.kind == .retryAfterTooLong)
        }
    }

    @Test func aSaturatedRetryAfterIsNotQuotedAsAnExactNumberOfSeconds() {
        guard
            case .fail(let error) = classifier.decide(
                answer(429, retryAfter: "99999999999999999999999"), attempt: 1, now: now)
        else { return #expect(Bool(false)) }
        #expect(error.message == "HTTP 429 asked to wait more than 30 years, longer than the 120 s allowed")
        guard case .fail(let exact) = classifier.decide(answer(429, retryAfter: "121"), attempt: 1, now: now)
        else { return #expect(Bool(false)) }
        #expect(exact.message == "HTTP 429 asked to wait 121 s, longer than the 120 s allowed")
    }

    @Test func statusesOutsideTheListFailAtOnceAndListedOnesFailWhenAttemptsRunOut() {
        #expect(classifier.decide(answer(404), attempt: 1, now: now) == .fail(RecordError(.status, "HTTP 404")))
        #expect(
            classifier.decide(answer(503), attempt: 4, now: now)
                == .fail(RecordError(.status, "HTTP 503 after 4 attempts")))
    }

    @Test func networkErrorsRetryButTLSAndBodyCapDoNot() {
        let url = URL(string: "http://a/")
        for kind in [ErrorKind.dns, .connect, .timeout, .network] {
            let outcome = AttemptOutcome.failure(RecordError(kind, "x"), status: nil, finalURL: url)
            guard case .retry = classifier.decide(outcome, attempt: 1, now: now) else {
                Issue.record("\(kind) not retried")
                continue
            }
        }
        for kind in [ErrorKind.tls, .bodyTooLarge, .tooManyRedirects, .unsupportedScheme] {
            let outcome = AttemptOutcome.failure(RecordError(kind, "x"), status: nil, finalURL: url)
            #expect(classifier.decide(outcome, attempt: 1, now: now) == .fail(RecordError(kind, "x")))
        }
    }
}
