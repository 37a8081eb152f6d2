trigger InvoiceTrigger on Invoice__c (after insert, after update, after delete, after undelete) {
    InvoiceTriggerHandler.handle(Trigger.operationType, Trigger.new, Trigger.oldMap);
}
