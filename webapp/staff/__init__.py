"""The staff workspace: caseload, a person's record, invites, reports and exports.

Every route here is for staff who see records (coaches and team leads in a team) unless it says
otherwise; ``webapp.staff.access`` holds the checks, and every view of or change to a person's
record is written to the audit log.
"""
