"""Helpers shared by the test suite: constants, fixtures (a pytest plugin), fakes and throwaway distributions."""
