"""RABEG's pages in the staff console: the OPD's queue and a complaint's page with its actions.

The pages show what the API shows an officer (the same schemas, the same signed photo links) and
every action calls the service function its API route calls, so no rule is written twice.
"""
