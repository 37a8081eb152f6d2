trigger InvoiceTrigger on Account (before insert) {}
