"""112's pages in the staff console: the command centre's live queue, an incident's page with claim,
triage, marks, dispatch and closing, and the supervisors' block list.

Every page shows what the API shows (the same schemas) and every action calls the service function
its API route calls, with the route's schema and permission, so no rule is written twice.
"""
