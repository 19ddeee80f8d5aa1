// A user's webhook signing secret (docs/webhooks.md), in the UserLimiter's SQLite: `whsec_` + base64
// of 32 random bytes, made on first use. A rotation keeps the old one signing beside it for 24 h.

export const WEBHOOK_ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

interface SecretRow extends Record<string, SqlStorageValue> {
  secret: string;
  previous: string | null;
  rotated_ms: number | null;
}

export interface WebhookSecretView {
  secret: string;
  /** Until when the previous secret still signs deliveries (ISO-8601); null when none does. */
  previous_valid_until: string | null;
}

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export class WebhookSecrets {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS webhook_secret (
      id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL, previous TEXT, rotated_ms INTEGER
    )`);
  }

  view(now = Date.now()): WebhookSecretView {
    const row = this.row();
    const overlapEnds =
      row.previous !== null && row.rotated_ms !== null ? row.rotated_ms + WEBHOOK_ROTATION_OVERLAP_MS : 0;
    return {
      secret: row.secret,
      previous_valid_until: overlapEnds > now ? new Date(overlapEnds).toISOString() : null,
    };
  }

  rotate(now = Date.now()): WebhookSecretView {
    const current = this.row().secret;
    this.sql.exec(
      "UPDATE webhook_secret SET secret = ?, previous = ?, rotated_ms = ? WHERE id = 1",
      newSecret(),
      current,
      now,
    );
    return this.view(now);
  }

  /** Every secret a delivery is signed with now: the current one, and the previous one during the overlap. */
  signing(now = Date.now()): string[] {
    const row = this.row();
    const view = this.view(now);
    return view.previous_valid_until === null ? [row.secret] : [row.secret, row.previous!];
  }

  private row(): SecretRow {
    const found = this.sql.exec<SecretRow>("SELECT secret, previous, rotated_ms FROM webhook_secret").toArray()[0];
    if (found) return found;
    const secret = newSecret();
    this.sql.exec("INSERT INTO webhook_secret (id, secret, previous, rotated_ms) VALUES (1, ?, NULL, NULL)", secret);
    return { secret, previous: null, rotated_ms: null };
  }
}
