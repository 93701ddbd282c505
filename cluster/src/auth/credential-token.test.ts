import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  acceptedCredential,
  credentialDigest,
  mintCredential,
  verifyCredential,
} from "./credential-token.js";
import { identityOfUri, uriOfIdentity } from "./identity.js";

const SECRET = "credential-token-test-secret-0123456789";

describe("loopback credential tokens", () => {
  it("verify for the identity they were minted for, and for no other", () => {
    const token = mintCredential(SECRET, { role: "worker", nodeId: "a" });
    assert.deepEqual(verifyCredential(SECRET, token), { role: "worker", nodeId: "a" });
    assert.equal(verifyCredential("another-secret-another-secret-0000", token), undefined);
    // The node id or role changed in the token: its MAC no longer matches.
    assert.equal(verifyCredential(SECRET, token.replace(":a:", ":b:")), undefined);
    assert.equal(verifyCredential(SECRET, token.replace("ng1:worker:a:", "ng1:head::")), undefined);
    assert.equal(verifyCredential(SECRET, "ng1:driver::"), undefined);
    assert.equal(verifyCredential(SECRET, "garbage"), undefined);
  });

  it("are accepted by digest without the secret, only those listed", () => {
    const driver = mintCredential(SECRET, { role: "driver" });
    const observer = mintCredential(SECRET, { role: "observer" });
    const accepted = new Map([[credentialDigest(driver), { role: "driver" as const }]]);
    assert.deepEqual(acceptedCredential(accepted, driver), { role: "driver" });
    assert.equal(acceptedCredential(accepted, observer), undefined);
  });

  it("name identities in certificates as neurogrid:// URIs", () => {
    assert.equal(uriOfIdentity({ role: "worker", nodeId: "n-1" }), "neurogrid://worker/n-1");
    assert.deepEqual(identityOfUri("neurogrid://driver"), { role: "driver" });
    for (const bad of ["neurogrid://worker", "neurogrid://driver/x", "neurogrid://root", "https://driver"])
      assert.equal(identityOfUri(bad), undefined, bad);
  });
});
