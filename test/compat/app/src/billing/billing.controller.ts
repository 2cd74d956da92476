import { Body, Controller, Post } from '@nestjs/common';
import { CustomersService } from 'nestjs-polar';

@Controller()
export class BillingController {
  constructor(private readonly customers: CustomersService) {}

  @Post('sign-up')
  async signUp(@Body() body: { id: string; email: string }): Promise<{ customerId: string }> {
    const customer = await this.customers.ensure({ external_id: body.id, email: body.email });
    return { customerId: customer.id };
  }
}
