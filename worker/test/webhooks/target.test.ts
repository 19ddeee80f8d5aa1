// Which webhook URLs the Worker contacts (docs/webhooks.md): the address rules on their own.
import { describe, expect, it } from "vitest";
import { checkWebhookTarget } from "../../src/webhooks/target";

describe("checkWebhookTarget", () => {
  it("allows https to a public host", () => {
    for (const url of ["https://example.com/hooks", "https://93.184.216.34/x", "https://[2606:4700::1111]/x"]) {
      expect(checkWebhookTarget(url, false).ok, url).toBe(true);
    }
  });

  it("allows http to loopback only where WEBHOOK_ALLOW_LOOPBACK=true", () => {
    for (const url of ["http://127.0.0.1:9999/hook", "http://localhost:3000/", "http://[::1]:8080/"]) {
      expect(checkWebhookTarget(url, true).ok, url).toBe(true);
      expect(checkWebhookTarget(url, false), url).toMatchObject({ ok: false });
    }
    expect(checkWebhookTarget("http://example.com/", true)).toMatchObject({ ok: false });
  });

  it("refuses private, link-local, CGNAT, unspecified, multicast and metadata addresses in every spelling", () => {
    for (const url of [
      "https://10.1.2.3/",
      "https://172.31.255.255/",
      "https://192.168.0.1/",
      "https://169.254.169.254/latest/meta-data/",
      "https://100.100.100.200/",
      "https://0.0.0.0/",
      "https://224.0.0.1/",
      "https://[fc00::1]/",
      "https://[fe80::abcd]/",
      "https://[::ffff:169.254.169.254]/",
      "https://[::ffff:a9fe:a9fe]/",
      "https://[64:ff9b::a00:1]/",
      "https://0x7f000001/",
      "https://2130706433/",
      "https://metadata.google.internal/",
      "https://metadata/",
      "https://router.lan/",
    ]) {
      expect(checkWebhookTarget(url, false), url).toMatchObject({ ok: false });
    }
  });
});
