"""Offline tools: plan a stack under Pulumi's mock engine (no CLI, no AWS), and its reports."""
