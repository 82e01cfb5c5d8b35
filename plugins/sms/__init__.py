"""SMS gateway (sms): texts through any HTTP SMS gateway described by settings, or Twilio's
Messages API, with each provider's delivery receipts."""
