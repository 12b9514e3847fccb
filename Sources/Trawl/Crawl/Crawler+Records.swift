extension Crawler {
    /// Crawls `urls` and yields each final record as soon as it is final, in completion order.
    ///
    /// ```swift
    /// for await record in crawler.records(for: ["https://example.com/"]) {
    ///     print(record.url, record.ok)
    /// }
    /// ```
    /// Ending the iteration early (or cancelling the iterating task) stops the crawl.
    /// - Parameter events: observes progress; called from many tasks, must not block.
    public func records(
        for urls: [String], events: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) -> AsyncStream<Record> {
        AsyncStream { continuation in
            let task = Task {
                _ = await run(
                    input: LineReader(lines: urls), sink: StreamSink(continuation: continuation), events: events)
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A stream of progress events for use with ``records(for:events:)``: pass the returned `events` as its
    /// `events`, and call `finish` once the records have ended, so the stream ends too.
    ///
    /// ```swift
    /// let (stream, events, finish) = Crawler.progressEvents()
    /// for await record in crawler.records(for: urls, events: events) { print(record.url) }
    /// finish()
    /// ```
    ///
    /// The stream keeps the newest 10,000 events that were not read yet.
    public static func progressEvents() -> (
        stream: AsyncStream<ProgressEvent>, events: @Sendable (ProgressEvent) -> Void, finish: @Sendable () -> Void
    ) {
        let (stream, continuation) = AsyncStream<ProgressEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        return (stream, { continuation.yield($0) }, { continuation.finish() })
    }
}

/// Hands records to an `AsyncStream`.
private struct StreamSink: RecordSink {
    let continuation: AsyncStream<Record>.Continuation

    func write(_ record: Record) {
        continuation.yield(record)
    }
}
