import { LightningElement, api, wire } from 'lwc';
import { getRecord, getFieldValue } from 'lightning/uiRecordApi';
import NAME_FIELD from '@salesforce/schema/Invoice__c.Name';
import STATUS_FIELD from '@salesforce/schema/Invoice__c.Status__c';
import AMOUNT_FIELD from '@salesforce/schema/Invoice__c.Amount__c';
import TOTAL_FIELD from '@salesforce/schema/Invoice__c.Total_With_Tax__c';
import PAID_DATE_FIELD from '@salesforce/schema/Invoice__c.Paid_Date__c';
import titleLabel from '@salesforce/label/c.Invoice_Summary_Title';
import amountLabel from '@salesforce/label/c.Invoice_Amount_Label';
import taxLabel from '@salesforce/label/c.Invoice_Tax_Label';
import paidMessage from '@salesforce/label/c.Invoice_Paid_Message';

const FIELDS = [NAME_FIELD, STATUS_FIELD, AMOUNT_FIELD, TOTAL_FIELD, PAID_DATE_FIELD];

export default class InvoiceSummary extends LightningElement {
    @api recordId;

    labels = { titleLabel, amountLabel, taxLabel, paidMessage };

    @wire(getRecord, { recordId: '$recordId', fields: FIELDS })
    invoice;

    get loaded() {
        return Boolean(this.invoice && this.invoice.data);
    }

    get error() {
        return this.invoice && this.invoice.error;
    }

    get name() {
        return getFieldValue(this.invoice.data, NAME_FIELD);
    }

    get status() {
        return getFieldValue(this.invoice.data, STATUS_FIELD);
    }

    get amount() {
        return getFieldValue(this.invoice.data, AMOUNT_FIELD);
    }

    get total() {
        return getFieldValue(this.invoice.data, TOTAL_FIELD);
    }

    get tax() {
        return (this.total || 0) - (this.amount || 0);
    }

    get paidDate() {
        return getFieldValue(this.invoice.data, PAID_DATE_FIELD);
    }

    get isPaid() {
        return this.status === 'Paid';
    }

    get statusClass() {
        return `slds-badge status status-${(this.status || 'draft').toLowerCase()}`;
    }
}
