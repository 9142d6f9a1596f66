"""Examples of the request and response bodies, as the OpenAPI document shows them."""

VERIFICATION = {
    "rows": 1024,
    "intact": True,
    "first_broken_seq": None,
    "chain_intact": True,
    "checkpoints_checked": 3,
    "checkpoints_intact": True,
    "first_bad_checkpoint_seq": None,
    "problems": [],
    "checkpoint": {
        "seq": 1024,
        "hash": "9f2c6d0b7a41e8c3d5b6f7a8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
        "at": "2026-03-02T08:00:00Z",
        "signature": "6b1d3e5f7a9c0b2d4f6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a",
    },
}
