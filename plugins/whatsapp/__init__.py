"""WhatsApp gateway (whatsapp): delivers texts and one-time codes through the WhatsApp Business
Cloud API, and takes its delivery receipts."""
