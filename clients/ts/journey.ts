// A first declaration through the TypeScript client generated from openapi/api.json:
// types by openapi-typescript, calls by openapi-fetch (versions pinned in tools/package.json).
//
// The types are not committed: tests/test_clients.py generates them into a temporary
// directory as `api.d.ts` beside a copy of this file and type-checks both with
// `tsc --noEmit --strict`. To use it yourself:
//
//   tools/node_modules/.bin/openapi-typescript openapi/api.json -o clients/ts/api.d.ts
//
// Every step is the public API: a login code by SMS, the SMS sign-in, a draft (with an
// Idempotency-Key), a scan uploaded into it, and the submission (If-Match: the draft's ETag).
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

export class Refused extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.type}: ${problem.detail}`);
  }
}

export interface Scan {
  kind: string; // a document kind (GET /v1/kinds of the document service)
  file: Blob;
  name: string;
}

function refused(error: unknown): never {
  throw new Refused(error as Problem);
}

export async function signIn(
  baseUrl: string,
  phone: string,
  readCode: (phone: string) => Promise<string>,
): Promise<Schemas["TokenPair"]> {
  const api = createClient<paths>({ baseUrl });
  const sent = await api.POST("/v1/auth/sms-codes", { body: { phone } });
  if (sent.error) refused(sent.error);
  const code = await readCode(phone);
  const { data, error } = await api.POST("/v1/auth/sms-logins", { body: { phone, code } });
  if (error || !data) refused(error);
  return data;
}

export async function firstDeclaration(
  baseUrl: string,
  phone: string,
  readCode: (phone: string) => Promise<string>,
  campaignId: string,
  unitOrgId: string,
  level: Schemas["DeclarationCreate"]["level"],
  scans: Scan[],
): Promise<{ draft: Schemas["DeclarationRead"]; submitted: Schemas["DeclarationRead"] }> {
  const tokens = await signIn(baseUrl, phone, readCode);
  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });

  // One key per intended draft: a retry with the same key answers the same draft.
  const created = await api.POST("/v1/declarations", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { campaign_id: campaignId, unit_org_id: unitOrgId, level },
  });
  if (created.error || !created.data) refused(created.error);
  const draft = created.data;

  for (const scan of scans) {
    const uploaded = await api.POST("/v1/declarations/{declaration_id}/documents", {
      params: { path: { declaration_id: draft.id } },
      // The contract types a binary part as a string; the serializer sends the Blob.
      body: { kind: scan.kind, file: scan.name },
      bodySerializer: (body) => {
        const form = new FormData();
        form.append("kind", body.kind);
        form.append("file", scan.file, scan.name);
        return form;
      },
    });
    if (uploaded.error) refused(uploaded.error);
  }

  // Submit with If-Match: the draft's current ETag (a stale one answers 412).
  const current = await api.GET("/v1/declarations/{declaration_id}", {
    params: { path: { declaration_id: draft.id } },
  });
  if (current.error) refused(current.error);
  const etag = current.response.headers.get("ETag") ?? "";
  const submission = await api.POST("/v1/declarations/{declaration_id}/submissions", {
    params: {
      path: { declaration_id: draft.id },
      header: { "If-Match": etag, "Idempotency-Key": crypto.randomUUID() },
    },
  });
  // 422 declaration-incomplete: its `errors` list what is still missing.
  if (submission.error || !submission.data) refused(submission.error);
  return { draft, submitted: submission.data };
}
