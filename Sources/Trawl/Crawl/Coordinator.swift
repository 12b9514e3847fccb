import Synchronization

/// Owns one lane of a run: pulls items from the source only while the lane has room and fans them out in a
/// task group. Each URL's task hands its final record to the recorder itself, so records stream out as they
/// finish, whatever the input is doing.
///
/// A URL starts on a task when a slot is free for it: a task that finished its last URL and is parked in
/// ``ParkedWorkers`` if there is one, else a new task of the group. A URL whose host is at its per-host limit
/// (and nothing else holds it back) waits here as data, in that host's queue, until one of the host's requests
/// gives its slot back: a crawl bound by `--per-host` then costs no waiting task per URL. Every other URL that
/// cannot start (a paused or paced host, every global slot taken) goes to a task that waits in the scheduler.
///
/// Not an actor: one call of ``run()`` owns it, on the caller's executor, so handing a URL out and taking a
/// finished task back cost no executor hops.
final class Coordinator {
    private let source: URLSource
    private let fetcher: Fetcher
    private let scheduler: Scheduler
    private let recorder: Recorder
    private let control: RunControl
    private let lane: Lane
    /// URL tasks between two URLs, reused before a new task is started.
    private let workers = ParkedWorkers()
    /// URLs waiting for a slot of their busy host, per host, in input order.
    private var held: [String: FIFO<CrawlURL>] = [:]
    private var heldCount = 0
    /// The most URLs held as data.
    private let heldLimit: Int

    init(
        source: URLSource, fetcher: Fetcher, scheduler: Scheduler, recorder: Recorder, control: RunControl,
        lane: Lane
    ) {
        self.source = source
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.recorder = recorder
        self.control = control
        self.lane = lane
        heldLimit = 16 * lane.window
    }

    /// Crawls the lane's items; returns when the source is empty (or the run stops) and every URL finished.
    nonisolated(nonsending) func run() async {
        await withDiscardingTaskGroup { group in
            var inputDone = false
            while !control.isStopping, !Task.isCancelled {
                startReleased(in: &group)
                let admitted = lane.admittedCount
                let hasRoom =
                    heldCount < heldLimit && (admitted == 0 || (admitted < lane.window && !scheduler.isFull))
                if inputDone || !hasRoom {
                    if heldCount == 0 && inputDone { break }
                    if !inputDone && heldCount < heldLimit && admitted < lane.window {
                        // Only the global limit holds the lane back: any lane's release may start its next URL.
                        await lane.waitForAnySlot(whileFull: { scheduler.isFull })
                    } else {
                        // Held URLs wait for their hosts' releases, which wake the lane whichever lane's URL it
                        // was (Lane.noteReleased); the window waits for the lane's own URLs.
                        await lane.waitForRoom()
                    }
                    continue
                }
                // Held URLs start only from this loop: never block on input (an idle pipe) while some wait.
                if heldCount > 0 && !source.isReady {
                    source.startReading()
                    if !source.isReady {
                        await lane.waitForRoom()
                        continue
                    }
                }
                guard let item = await source.next() else {
                    inputDone = true
                    continue
                }
                switch item {
                case .rejected(let record):
                    recorder.finish(record)
                case .fetch(let url):
                    if let index = held.index(forKey: url.host) {
                        held.values[index].push(url)  // behind the host's earlier URLs
                        heldCount += 1
                        continue
                    }
                    switch scheduler.tryAcquire(host: url.host) {
                    case .granted(let permit): start(url, permit: permit, in: &group)
                    case .hostBusy: holdFirst(url)
                    case .unavailable: start(url, permit: nil, in: &group)
                    }
                }
            }
            // Parked tasks end now, busy ones when their URL is done; the group then waits for them.
            workers.close()
        }
    }

    /// Starts held URLs of the hosts that gave slots back, while they can start; for a host that cannot start
    /// for another reason (a pause, a pace, the global limit), one held URL per release becomes a task that
    /// waits in the scheduler.
    private func startReleased(in group: inout DiscardingTaskGroup) {
        let released = lane.takeReleased()
        guard heldCount > 0 else { return }
        for host in released {
            // Taken out while it is served: one lookup for the host, not a few for each URL started.
            guard var queue = held.removeValue(forKey: host) else { continue }
            serving: while let url = queue.first {
                switch scheduler.tryAcquire(host: host) {
                case .granted(let permit):
                    _ = queue.pop()
                    heldCount -= 1
                    start(url, permit: permit, in: &group)
                case .hostBusy:
                    break serving
                case .unavailable:
                    // One URL becomes a task that waits in the scheduler (a pause, a pace, the slot went to a
                    // queued caller); the rest stay held, watched, for the next release of the host.
                    _ = queue.pop()
                    heldCount -= 1
                    start(url, permit: nil, in: &group)
                    break serving
                }
            }
            if queue.isEmpty {
                lane.watch(host, false)
            } else {
                held[host] = queue
            }
        }
    }

    /// Holds the first URL of a host none of whose URLs is held, and watches the host for released slots.
    private func holdFirst(_ url: CrawlURL) {
        var queue = FIFO<CrawlURL>()
        queue.push(url)
        held[url.host] = queue
        heldCount += 1
        lane.watch(url.host, true)
    }

    /// Hands `url` to a parked task, or starts a task for it that goes on with the URLs handed to it later.
    private func start(_ url: CrawlURL, permit: Scheduler.Permit?, in group: inout DiscardingTaskGroup) {
        lane.admittedOne()
        let assignment = ParkedWorkers.Assignment(url: url, permit: permit)
        if workers.hand(assignment) { return }
        let (fetcher, recorder, lane, workers) = (self.fetcher, self.recorder, self.lane, self.workers)
        group.addTask {
            var next: ParkedWorkers.Assignment? = assignment
            while let work = next {
                if let record = await fetcher.fetch(work.url, permit: work.permit) { recorder.finish(record) }
                next = await workers.next(afterFinishingIn: lane)
            }
        }
    }
}

/// Hands final records to the sink and counts them; called from many tasks at once.
final class Recorder: Sendable {
    private let sink: any RecordSink
    private let emit: @Sendable (ProgressEvent) -> Void
    private let records = Atomic<Int>(0)
    private let succeeded = Atomic<Int>(0)

    init(sink: any RecordSink, emit: @escaping @Sendable (ProgressEvent) -> Void) {
        self.sink = sink
        self.emit = emit
    }

    func finish(_ record: Record) {
        sink.write(record)
        records.add(1, ordering: .relaxed)
        if record.ok { succeeded.add(1, ordering: .relaxed) }
        emit(.recorded(ok: record.ok, status: record.status, error: record.error?.kind, attempts: record.attempts))
    }

    func summary(interrupted: Bool) -> CrawlSummary {
        var summary = CrawlSummary()
        summary.records = records.load(ordering: .relaxed)
        summary.succeeded = succeeded.load(ordering: .relaxed)
        summary.interrupted = interrupted
        return summary
    }
}
