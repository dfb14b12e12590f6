"""Helpers the tests share: settings for test indexes, a real server on loopback, a fake Slack, the citation check."""
