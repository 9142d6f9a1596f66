"""The 错误码表 as a public read: every problem `type` URN the services answer, resolved by
its code (GET /v1/problems, GET /v1/problems/{code})."""
