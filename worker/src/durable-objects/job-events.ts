// Live progress (docs/events.md): the JobCoordinator's listeners. WebSockets are accepted with the
// hibernation API, so an idle socket costs nothing and survives eviction; Server-Sent Event streams
// are writers held in memory, which keeps the object alive while a script listens.
import {
  EVENTS_SUBPROTOCOL,
  isFinalJobStatus,
  type EndEvent,
  type JobEvent,
  type ProgressEvent,
  type SnapshotEvent,
} from "@s3/contract";

/** Set by the events route on the request it forwards: the user its JWT named. */
export const EVENTS_USER_HEADER = "X-S3-User";

/** Every socket of this object listens to its one job; the tag lets getWebSockets find them after a wake. */
const SOCKET_TAG = "job-events";
const encoder = new TextEncoder();

/** Listeners one job keeps (docs/events.md, "Limits"); a new one past the cap closes the oldest. */
export const MAX_JOB_SOCKETS = 8;
export const MAX_JOB_STREAMS = 4;
/** The close code an evicted listener gets: policy violation, with the reason below. */
export const LISTENER_REPLACED_CODE = 1008;
const LISTENER_REPLACED = "too many listeners on this job: a newer one took this one's place";

export class JobEvents {
  private readonly streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();

  constructor(private readonly ctx: DurableObjectState) {}

  /** A listener for an owner the route has authenticated: the snapshot first, then every change. */
  open(request: Request, snapshot: SnapshotEvent): Response {
    return request.headers.get("Upgrade")?.toLowerCase() === "websocket"
      ? this.openSocket(snapshot)
      : this.openStream(snapshot);
  }

  /** One `progress` to every listener; once the job is final, `end` and close. */
  publish(event: ProgressEvent): void {
    this.broadcast(event);
    if (isFinalJobStatus(event.status)) {
      this.broadcast(endOf(event));
      this.closeAll();
    }
  }

  /** Listeners only listen; a client's message changes nothing ("ping" is answered without a wake). */
  message(): void {}

  /** Completes the close handshake a client started. */
  closed(socket: WebSocket, code: number): void {
    try {
      socket.close(code === 1005 ? 1000 : code, "closed by the client");
    } catch {
      // Already closed by the runtime.
    }
  }

  private openSocket(snapshot: SnapshotEvent): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    if (isFinalJobStatus(snapshot.status)) {
      // Nothing will follow, so nothing to hibernate: workerd ends a hibernatable socket's connection
      // only ~10 s after its close handshake, a plain accepted one at once (docs/events.md, "Closing").
      server.accept();
      server.send(JSON.stringify(snapshot));
      server.send(JSON.stringify(endOf(snapshot)));
      server.close(1000, "job ended");
    } else {
      this.ctx.acceptWebSocket(server, [SOCKET_TAG]);
      this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
      this.closeOldestSockets(server);
      server.send(JSON.stringify(snapshot));
    }
    return new Response(null, {
      status: 101,
      webSocket: client,
      headers: { "Sec-WebSocket-Protocol": EVENTS_SUBPROTOCOL },
    });
  }

  private openStream(snapshot: SnapshotEvent): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.streams.add(writer);
    // A Set keeps insertion order: the first streams are the oldest.
    for (const oldest of [...this.streams].slice(0, Math.max(0, this.streams.size - MAX_JOB_STREAMS))) {
      this.streams.delete(oldest);
      oldest.close().catch(() => {});
    }
    this.write(writer, snapshot);
    if (isFinalJobStatus(snapshot.status)) this.endStream(writer, snapshot);
    return new Response(readable, {
      headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no" },
    });
  }

  /** Numbers the new socket after the others (attachments outlive hibernation); closes the oldest past the cap. */
  private closeOldestSockets(newest: WebSocket): void {
    const sequence = (socket: WebSocket) => (socket.deserializeAttachment() as { seq?: number } | null)?.seq ?? 0;
    const others = this.ctx.getWebSockets(SOCKET_TAG).filter((socket) => socket !== newest);
    newest.serializeAttachment({ seq: Math.max(0, ...others.map(sequence)) + 1 });
    const open = others
      .filter((socket) => socket.readyState === WebSocket.OPEN)
      .sort((a, b) => sequence(a) - sequence(b));
    for (const socket of open.slice(0, Math.max(0, open.length + 1 - MAX_JOB_SOCKETS))) {
      try {
        socket.close(LISTENER_REPLACED_CODE, LISTENER_REPLACED);
      } catch {
        // Already closed.
      }
    }
  }

  private broadcast(event: JobEvent): void {
    const text = JSON.stringify(event);
    for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) {
      try {
        socket.send(text);
      } catch {
        // A socket closing under us misses nothing it could still read.
      }
    }
    for (const writer of this.streams) this.write(writer, event);
  }

  private closeAll(): void {
    for (const socket of this.ctx.getWebSockets(SOCKET_TAG)) {
      try {
        socket.close(1000, "job ended");
      } catch {
        // Already closed.
      }
    }
    for (const writer of this.streams) this.endStream(writer);
  }

  /** Writes are not awaited: one slow reader must not hold up a callback or the other listeners. */
  private write(writer: WritableStreamDefaultWriter<Uint8Array>, event: JobEvent): void {
    writer.write(encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)).catch(() => {
      this.streams.delete(writer);
    });
  }

  private endStream(writer: WritableStreamDefaultWriter<Uint8Array>, snapshot?: SnapshotEvent): void {
    if (snapshot) this.write(writer, endOf(snapshot));
    this.streams.delete(writer);
    writer.close().catch(() => {});
  }
}

function endOf(event: SnapshotEvent | ProgressEvent): EndEvent {
  if (!isFinalJobStatus(event.status)) throw new Error(`end of a job still ${event.status}`);
  return { type: "end", job_id: event.job_id, status: event.status, progress: event.progress };
}
