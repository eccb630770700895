"""The event types a debate publishes into the stream of its proposal's page
(the debate's page script handles each; docs/realtime.md)."""

ARGUMENT_POSTED = "debate.argument_posted"
ARGUMENT_EDITED = "debate.argument_edited"
ARGUMENT_HIDDEN = "debate.argument_hidden"
ARGUMENT_RESTORED = "debate.argument_restored"
ARGUMENT_MODERATED = "debate.argument_moderated"
