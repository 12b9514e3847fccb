import Foundation

/// One URL's life, top to bottom: take a slot, attempt (following redirects), give the slot back, decide,
/// maybe wait holding nothing, repeat.
final class Fetcher: Sendable {
    let configuration: Crawler.Configuration
    let scheduler: Scheduler
    let transport: any Transport
    let clock: CrawlClock
    let control: RunControl
    let emit: @Sendable (ProgressEvent) -> Void
    /// The lane whose coordinator started this fetcher's URLs.
    let lane: Lane
    /// Every lane of the run: each hears of every released slot.
    let lanes: [Lane]
    private let classifier: Classifier
    private let baseHeaders: HTTPHeaders
    private let keepBody: Bool

    init(
        configuration: Crawler.Configuration, scheduler: Scheduler, transport: any Transport, clock: CrawlClock,
        control: RunControl, lane: Lane, lanes: [Lane], emit: @escaping @Sendable (ProgressEvent) -> Void
    ) {
        self.lane = lane
        self.lanes = lanes
        self.configuration = configuration
        self.scheduler = scheduler
        self.transport = transport
        self.clock = clock
        self.control = control
        self.emit = emit
        classifier = Classifier(retry: configuration.retry)
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: configuration.request.userAgent)
        headers.add(name: "Accept", value: "*/*")
        for field in configuration.request.headers { headers.replace(name: field.name, value: field.value) }
        baseHeaders = headers
        keepBody = configuration.output.body != .none || configuration.retry.evaluate?.needsBody == true
    }

    /// Fetches `url` to its final record, or `nil` when the run stopped before the URL finished.
    /// - Parameter permit: a slot on the URL's host already granted for the first request, if any.
    nonisolated(nonsending) func fetch(_ url: CrawlURL, permit: Scheduler.Permit? = nil) async -> Record? {
        var granted = permit
        let started = ContinuousClock.now
        var attempt = 0
        var lastStatus: Int?
        while true {
            attempt += 1
            guard let outcome = await attemptOnce(url, granted: &granted) else { return nil }
            switch outcome {
            case .response(let response, _): lastStatus = response.status
            case .failure(_, let status, _): lastStatus = status ?? lastStatus
            }
            switch classifier.decide(outcome, attempt: attempt, now: Date()) {
            case .success:
                return record(url, outcome, attempt: attempt, lastStatus: lastStatus, started: started, error: nil)
            case .fail(let error):
                return record(url, outcome, attempt: attempt, lastStatus: lastStatus, started: started, error: error)
            case .retry(let wait, let reason):
                let until = clock.now + wait
                emit(.waitStarted(host: url.host, reason: reason, until: until))
                let slept = await control.sleep(on: clock, until: until)
                emit(.waitEnded(host: url.host))
                if !slept { return nil }
            }
        }
    }

    /// One attempt with its redirect hops, or `nil` when the run stopped or the task was cancelled.
    private nonisolated(nonsending) func attemptOnce(
        _ url: CrawlURL, granted: inout Scheduler.Permit?
    ) async -> AttemptOutcome? {
        var current = url.url
        var host = url.host
        var headers = baseHeaders
        var redirects = 0
        var deadline: ContinuousClock.Instant?
        while true {
            let permit: Scheduler.Permit
            if let given = granted {
                granted = nil
                if control.isStopping {
                    release(given)
                    return nil
                }
                permit = given
            } else {
                guard let admitted = await admit(host) else { return nil }
                permit = admitted
            }
            let start = ContinuousClock.now
            let hopDeadline = deadline ?? start + configuration.request.timeout
            deadline = hopDeadline
            let remaining = hopDeadline - start
            emit(.attemptStarted(host: host))
            let result: Result<TransportResponse, RecordError>
            if remaining <= .zero {
                result = .failure(
                    RecordError(.timeout, "no complete answer within \(describe(configuration.request.timeout))"))
            } else {
                let request = TransportRequest(
                    url: current, headers: headers, timeout: remaining,
                    maxBodyBytes: configuration.request.maxBodyBytes, keepBody: keepBody)
                do {
                    result = .success(try await transport.perform(request))
                } catch {
                    result = .failure(error)
                }
            }
            if Task.isCancelled {
                release(permit)
                emit(.attemptFinished(host: host, status: nil, error: nil))
                return nil
            }
            switch result {
            case .failure(var error):
                if error.kind == .timeout {
                    error.message = "no complete answer within \(describe(configuration.request.timeout))"
                }
                release(permit)
                emit(.attemptFinished(host: host, status: nil, error: error.kind))
                return .failure(error, status: error.status, finalURL: current)
            case .success(let response):
                if Redirect.statuses.contains(response.status), let location = response.headers["location"] {
                    release(permit)
                    emit(.attemptFinished(host: host, status: response.status, error: nil))
                    redirects += 1
                    if redirects > configuration.request.maxRedirects {
                        let error = RecordError(
                            .tooManyRedirects, "more than \(configuration.request.maxRedirects) redirects")
                        return .failure(error, status: response.status, finalURL: current)
                    }
                    do {
                        let (next, nextHost) = try Redirect.target(location: location, from: current)
                        if !Redirect.sameOrigin(current, next) {
                            for name in Redirect.credentialHeaders { headers.remove(name: name) }
                        }
                        current = next
                        host = nextHost
                    } catch {
                        return .failure(error, status: response.status, finalURL: current)
                    }
                    continue
                }
                release(permit, outcome: schedulerOutcome(response, host: host))
                emit(.attemptFinished(host: host, status: response.status, error: nil))
                return .response(response, finalURL: current)
            }
        }
    }

    /// Waits for a slot on `host`, sleeping out host pauses; `nil` when the run is stopping.
    private nonisolated(nonsending) func admit(_ host: String) async -> Scheduler.Permit? {
        while true {
            if control.isStopping { return nil }
            let admission: Scheduler.Admission
            do {
                admission = try await scheduler.acquire(host: host)
            } catch {
                return nil
            }
            switch admission {
            case .granted(let permit):
                if control.isStopping {
                    release(permit)
                    return nil
                }
                return permit
            case .paused(let until):
                emit(.waitStarted(host: host, reason: .hostPause, until: until))
                let slept = await control.sleep(on: clock, until: until)
                emit(.waitEnded(host: host))
                if !slept { return nil }
            }
        }
    }

    /// Gives a slot back to the scheduler, waking the lane's coordinator.
    private func release(_ permit: Scheduler.Permit, outcome: Scheduler.Outcome = .neutral) {
        scheduler.release(permit, outcome: outcome)
        for each in lanes { each.noteReleased(permit.host, own: each === lane) }
    }

    /// What an answer tells the scheduler about its host, emitting a pause event when it pauses the host.
    private func schedulerOutcome(_ response: TransportResponse, host: String) -> Scheduler.Outcome {
        guard response.status == 429 || response.status == 503 else {
            return (200..<300).contains(response.status) ? .success : .neutral
        }
        // A bare 503 is as often a broken backend as an overloaded one: only a 429, or a 503 that says how
        // long to wait, is taken as the host asking trawl to slow down.
        let retryAfterValue = response.headers["retry-after"]
        if response.status == 503 && retryAfterValue == nil { return .neutral }
        var pause: Duration?
        if let wait = Classifier.retryAfter(response, now: Date()), wait > .zero,
            wait <= configuration.retry.maxRetryAfter
        {
            pause = wait
            if configuration.politeness.pauseHostOnRetryAfter {
                emit(.hostPaused(host: host, until: clock.now + wait))
            }
        }
        return .pushback(pause: pause)
    }

    private func record(
        _ url: CrawlURL, _ outcome: AttemptOutcome, attempt: Int, lastStatus: Int?,
        started: ContinuousClock.Instant, error: RecordError?
    ) -> Record {
        let elapsed = ContinuousClock.now - started
        var record = Record(
            url: url.original, ok: error == nil, attempts: attempt,
            elapsedMilliseconds: Int(elapsed.nanoseconds / 1_000_000), error: error)
        switch outcome {
        case .response(let response, let finalURL):
            record.status = response.status
            record.finalURL = finalURL == url.url ? url.original : CrawlURL.redactingPassword(finalURL.absoluteString)
            record.contentType = response.headers["content-type"]
            record.bytes = response.bodyBytes
            switch configuration.output.body {
            case .none: break
            case .text: record.body = .text(String(decoding: response.body, as: UTF8.self))
            case .base64: record.body = .base64(Data(response.body).base64EncodedString())
            }
        case .failure(_, _, let finalURL):
            record.status = lastStatus
            record.finalURL = finalURL.map {
                $0 == url.url ? url.original : CrawlURL.redactingPassword($0.absoluteString)
            }
        }
        return record
    }

    private func describe(_ duration: Duration) -> String {
        Classifier.describe(duration)
    }
}
