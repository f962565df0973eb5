"""The LINE front door: the signed webhook and its inbox rows, the executor that runs each user's
events in order, the ack gate, the outbox sender and outreach, the one LINE API gateway, photo
intake, rich-menu sync and links, and the agency share image."""
