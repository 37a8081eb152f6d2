import { LightningElement, api } from 'lwc';

export default class InvoiceCard extends LightningElement {
    @api recordId;
}
