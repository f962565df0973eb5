"""The program's operations: plain (session, ..., now) functions shared by the chat, the CLI and the web."""
