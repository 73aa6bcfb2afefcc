//! Replays recorded HTTP traffic (`http-traffic.json`) from a real server on 127.0.0.1.
