"""Tests of the conditions engine: transitions, stage gates and scenarios."""
